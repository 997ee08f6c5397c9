/** Scenarios as data, their file format and their runner: public API. */
export { APP_SCENARIO, DEFAULT_SCENARIO, findScenario, SCENARIOS } from './catalog';
export { DEFAULT_CAPACITY, SCENARIO_POLICY, TIME_SCALE } from './defaults';
export { checkDeploy, type StepFacts } from './expectations';
export {
  BASE_IMAGE,
  configPathOf,
  describeVersion,
  launchTemplateData,
  scenarioImages,
  type VersionLaunchContext,
  versionConfiguration,
  versionImageId,
  versionLaunchData,
} from './fleet-data';
export { loadScenarioFile, parseScenarioText, ScenarioFileError } from './load';
export { type RunOptions, runScenario } from './run';
export { DEPLOYED, ScenarioFileSchema, toScenario } from './schema';
export * from './types';
export { withApp } from './with-app';
