/** The opt-in boot-failure report: a misconfigured instance says so on /health instead of going silent. */
export { bootFailureChecks, CONFIG_VALID_CHECK } from './checks';
export {
  BOOT_FAILURE_EXIT_CODE,
  type BootFailureReporter,
  type BootFailureReporterDeps,
  startBootFailureReporter,
} from './reporter';
export {
  BOOT_FAILURE_REPORT_KEY,
  BootFailureReport,
  type BootFailureSettings,
  bootFailureReportOf,
  readBootFailureSettings,
} from './settings';
