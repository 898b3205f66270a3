import { graphql } from '../../gql/index.js';

export const AlertRuleFields = graphql(`
  fragment AlertRuleFields on AlertRule {
    id
    name
    kind
    thresholdPercent
    forSeconds
    restarts
    windowSeconds
    scope {
      container
      label
    }
    enabled
    createdAt
    updatedAt
  }
`);

export const AlertRules = graphql(`
  query AlertRules {
    alertRules {
      ...AlertRuleFields
      webhook {
        url
        lastDelivery {
          at
          alertId
          state
          ok
          attempts
          statusCode
          error
        }
      }
    }
  }
`);

export const CreateAlertRule = graphql(`
  mutation CreateAlertRule($input: AlertRuleInput!) {
    createAlertRule(input: $input) {
      __typename
      ... on CreateAlertRuleSuccess {
        rule {
          ...AlertRuleFields
          webhook {
            url
          }
        }
        webhookSecret
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
    }
  }
`);

export const UpdateAlertRule = graphql(`
  mutation UpdateAlertRule($id: String!, $input: AlertRulePatch!) {
    updateAlertRule(id: $id, input: $input) {
      __typename
      ... on UpdateAlertRuleSuccess {
        rule {
          ...AlertRuleFields
          webhook {
            url
          }
        }
        webhookSecret
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
    }
  }
`);

export const DeleteAlertRule = graphql(`
  mutation DeleteAlertRule($id: String!) {
    deleteAlertRule(id: $id) {
      __typename
      ... on DeleteAlertRuleSuccess {
        rule {
          id
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const AlertEventFields = graphql(`
  fragment AlertEventFields on AlertEvent {
    id
    rule {
      id
      name
      kind
    }
    containerId
    containerName
    state
    at
    value
    message
    image {
      reference
      runningDigest
      remoteDigest
      since
    }
  }
`);

export const ActiveAlerts = graphql(`
  query ActiveAlerts {
    activeAlerts {
      ...AlertEventFields
    }
  }
`);

export const AlertsSubscription = graphql(`
  subscription Alerts($ruleId: String) {
    alerts(ruleId: $ruleId) {
      ...AlertEventFields
    }
  }
`);

/** Active alerts with their rules' webhooks, which only an admin may read. */
export const ActiveAlertWebhooks = graphql(`
  query ActiveAlertWebhooks {
    activeAlerts {
      id
      rule {
        id
        webhook {
          url
        }
      }
    }
  }
`);
