/** Scenarios as data and their runner: public API. */
export { DEFAULT_SCENARIO, findScenario, SCENARIOS } from './catalog';
export { checkDeploy, type StepFacts } from './expectations';
export { FAULT_SETTINGS, IMAGES, launchTemplateData, versionLaunchData } from './fleet-data';
export { type RunOptions, runScenario, SCENARIO_POLICY, TIME_SCALE } from './run';
export * from './types';
