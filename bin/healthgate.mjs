#!/usr/bin/env node
// The `healthgate` command in a checkout: runs the TypeScript sources through tsx (a dev dependency). The
// production build (`npm run build`) emits dist/healthgate/healthgate.mjs, which needs neither.
import { register } from 'tsx/esm/api';

register();
await import('../cli/bin.ts');
