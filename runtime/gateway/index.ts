// The frontend gateway: nested solves and reads of their results, for frontends in process.
export { GatewayError, SolverGateway } from './solver-gateway.js';
export type { SolverGatewayOptions } from './solver-gateway.js';
