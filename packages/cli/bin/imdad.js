#!/usr/bin/env node
// Committed (not built) so that npm links the `imdad` command at install time, before `prepare` builds dist/.
await import('../dist/bin.js');
