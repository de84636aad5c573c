/** Aliases name a version of a model (MLflow's `@champion`): a lowercase name, set, moved and removed by hand. */
export const ALIAS_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
/** A model has at most this many aliases. */
export const MAX_ALIASES = 50;
