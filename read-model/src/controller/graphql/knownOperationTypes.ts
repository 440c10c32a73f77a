import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * A validation rule: an operation whose type the schema has no root for (the read side has
 * queries only: no `mutation`, no `subscription`) is a validation error, a 400
 * VALIDATION_FAILED like any other invalid document. graphql-js 16 lets such a document
 * through validation and fails it at execution ("Schema is not configured to execute
 * mutation operation"), which reached clients as an INTERNAL error (found by the fuzz run,
 * e2e/fuzz). graphql-js 17 has this rule built in (KnownOperationTypesRule).
 */
export const knownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(new GraphQLError(`This API serves queries only; it has no ${node.operation} operations.`, { nodes: node }));
    }
  },
});
