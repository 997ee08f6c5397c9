/** Scenario reports: the timeline's lines, per-instance tracks, the JSON and HTML reports. */
export { deployReport } from './deploy-report';
export { describeDeployEvent, describeSimEntry } from './describe';
export { escapeHtml, renderHtml } from './html';
export { buildRefreshTracks, type RefreshPhaseSpan, type RefreshTrack } from './refresh-tracks';
export { type ServingRange, servingRange } from './serving';
export { buildTracks } from './tracks';
export * from './types';
export { reportPaths, writeReports } from './write';
