import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ParseOptions, ValidationRule } from 'graphql';
import type { GraphQLSettings } from '../../config/index.ts';

export interface GraphQLLimitOptions {
  parseOptions: ParseOptions;
  validationRules: ValidationRule[];
}

/**
 * The per-operation limits as Apollo options (docs/security.md, "GraphQL limits").
 * - Tokens: graphql-js's own `maxLexicalTokens`, inside Apollo's parse, so an absurd document
 *   stops before the parser's recursion gets deep and answers 400 like any syntax error.
 *   (Armor's max-tokens plugin throws from a hook outside that parse: a 500.)
 * - Depth, aliases, directives, cost: graphql-armor's validation rules, each a 400 that names
 *   its limit. Depth counts fragments as written, so a fragment nest stops early; cost
 *   flattens them, so it prices the data, which fragments don't change. The cost rule only
 *   multiplies `first`/`last`: list size is bounded by `limit` (at most 100) instead.
 * - Suggestions are removed in formatError (hideSuggestions.ts), which sees every error.
 * With armor's two plugin-based protections (tokens, suggestions) off, its rules are all it adds.
 */
export function graphqlLimits(settings: GraphQLSettings): GraphQLLimitOptions {
  const { validationRules } = new ApolloArmor({
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
    maxDepth: { n: settings.maxDepth, flattenFragments: false },
    maxAliases: { n: settings.maxAliases },
    maxDirectives: { n: settings.maxDirectives },
    costLimit: { maxCost: settings.maxCost, flattenFragments: true },
  }).protect();
  return { parseOptions: { maxLexicalTokens: settings.maxTokens }, validationRules };
}
