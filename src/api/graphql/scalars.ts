import { GraphQLError } from 'graphql';
import { DateTimeResolver, JSONObjectResolver, SafeIntResolver } from 'graphql-scalars';
import { builder } from './builder.js';

builder.addScalarType('DateTime', DateTimeResolver);

// Byte counts pass 2^31 (GraphQL's Int); SafeInt carries up to 2^53-1 as a plain JSON number.
// graphql-scalars' own parser throws a TypeError (a masked fault) on an object with a bad
// toString, so anything but a number is refused here first, as the client's mistake.
builder.scalarType('SafeInt', {
  description: 'An integer from -(2^53 - 1) to 2^53 - 1, sent as a JSON number.',
  serialize: (value) => SafeIntResolver.serialize(value) as number,
  parseValue: (value) => {
    if (typeof value !== 'number') throw new GraphQLError(`SafeInt cannot represent a non-number value`);
    return SafeIntResolver.parseValue(value) as number;
  },
  parseLiteral: (ast) => SafeIntResolver.parseLiteral(ast, {}) as number,
});

// Documents berth hands out and takes back whole (template exports, backups): their shape is
// versioned and validated by berth itself, not by the GraphQL schema.
builder.addScalarType('JSONObject', JSONObjectResolver);
