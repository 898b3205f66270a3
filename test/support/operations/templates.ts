import { graphql } from '../../gql/index.js';

export const TemplateFields = graphql(`
  fragment TemplateFields on Template {
    name
    description
    image
    spec
    createdAt
    updatedAt
  }
`);

export const SaveTemplate = graphql(`
  mutation SaveTemplate($name: String!, $description: String, $spec: CreateContainerInput!) {
    saveTemplate(name: $name, description: $description, spec: $spec) {
      __typename
      ... on SaveTemplateSuccess {
        template {
          ...TemplateFields
        }
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

export const ListTemplates = graphql(`
  query ListTemplates {
    templates {
      ...TemplateFields
    }
  }
`);

export const GetTemplate = graphql(`
  query GetTemplate($name: String!) {
    template(name: $name) {
      ...TemplateFields
    }
  }
`);

export const DeleteTemplate = graphql(`
  mutation DeleteTemplate($name: String!) {
    deleteTemplate(name: $name) {
      __typename
      ... on DeleteTemplateSuccess {
        template {
          name
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const CreateContainerFromTemplate = graphql(`
  mutation CreateContainerFromTemplate(
    $name: String!
    $overrides: ContainerOverridesInput
    $environment: String! = "local"
  ) {
    createContainerFromTemplate(name: $name, overrides: $overrides, environment: $environment) {
      __typename
      ... on CreateContainerFromTemplateSuccess {
        container {
          ...ContainerFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on PolicyViolationError {
        field
      }
    }
  }
`);

export const ExportTemplates = graphql(`
  query ExportTemplates {
    exportTemplates
  }
`);

export const ImportTemplates = graphql(`
  mutation ImportTemplates($document: JSONObject!, $replace: Boolean) {
    importTemplates(document: $document, replace: $replace) {
      __typename
      ... on ImportTemplatesSuccess {
        result {
          created
          replaced
          skipped
          invalid
          items {
            name
            outcome
            reason
          }
        }
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
