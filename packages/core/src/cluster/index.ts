/**
 * The typed client of the cluster routes (`/esdl-lab/cluster/…`): kernel profiles, resource limits, start
 * estimates and kernel jobs.
 */
export {};
