import { graphql } from '../../gql/index.js';

export const SystemQuery = graphql(`
  query System {
    system {
      engine {
        up
        dockerHost
      }
      statsSource
      statsCollectors
      indexedContainers
    }
  }
`);
