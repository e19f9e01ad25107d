/**
 * Synthetic traffic with labelled incidents: `Simulator` (random access or ranges of minutes),
 * the baseline model (`expectedRate`), the incident kinds, and the CSV / labels writers.
 * The model is documented at the top of simulator.ts.
 */
export {
  Simulator, DEFAULT_START, DEFAULT_INCIDENTS_PER_DAY, MAX_DAYS, MAX_SCOPES,
  type SimulateOptions, type SimulatedMinute, type IncidentLabel, type IncidentKind, type Rhythm,
} from './simulator.ts';
export {
  expectedRate, expectedRates, rhythmFactor, scopeProfiles, BASE_RATES, SIM_STATUSES, SIM_AUTH_CODES,
  type ScopeProfile,
} from './rates.ts';
export { INCIDENT_KINDS, type Incident } from './incidents.ts';
export {
  writeSimulation, writeSimulationFiles, labelsJson, csvTimestamp,
  type SimulationTargets, type SimulationFiles, type WriteOptions, type WriteSummary,
} from './write.ts';
