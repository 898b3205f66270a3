import { DateTimeResolver, SafeIntResolver } from 'graphql-scalars';
import { builder } from './builder.js';

builder.addScalarType('DateTime', DateTimeResolver);
// Byte counts pass 2^31 (GraphQL's Int); SafeInt carries up to 2^53-1 as a plain JSON number.
builder.addScalarType('SafeInt', SafeIntResolver);
