import { graphql } from '../../gql/index.js';

/** The newest sample and the recorded ones, side by side. */
export const StatsHistory = graphql(`
  query StatsHistory($id: String!, $from: DateTime, $to: DateTime, $stepSeconds: Int) {
    container(id: $id) {
      id
      stats {
        ...StatsFields
      }
      statsHistory(from: $from, to: $to, stepSeconds: $stepSeconds) {
        ...StatsFields
      }
    }
  }
`);
