/**
 * Synthetic traffic with labelled incidents: `Simulator` (random access or ranges of minutes),
 * the baseline model (`expectedRate`), the incident kinds, and the CSV / labels writers.
 * The model is documented at the top of simulator.ts.
 */
export {
  Simulator, DEFAULT_START, DEFAULT_INCIDENTS_PER_DAY, DEFAULT_RARE_RATE, MAX_DAYS, MAX_SCOPES, MAX_RARE_STATUSES,
  type SimulateOptions, type SimulatedMinute, type IncidentLabel, type IncidentKind, type Rhythm, type RareStatus,
} from './simulator.ts';
export {
  expectedRate, expectedRates, rhythmFactor, deniedMix, scopeProfiles, BASE_RATES, SIM_STATUSES, SIM_AUTH_CODES, RHYTHMS,
  type ScopeProfile,
} from './rates.ts';
export { INCIDENT_KINDS, ALL_INCIDENT_KINDS, LEVEL_SHIFT_WINDOW, type Incident } from './incidents.ts';
export {
  writeSimulation, writeSimulationFiles, labelsJson, csvTimestamp, exportTime, exportDay, SIMULATION_FORMATS,
  type SimulationTargets, type SimulationFiles, type SimulationFormat, type WriteOptions, type WriteSummary,
} from './write.ts';
