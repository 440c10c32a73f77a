export type { Reaction, ReactionScope } from './reaction.ts';
export { ReactionConsumer, type ReactionConsumerSettings } from './reactionConsumer.ts';
