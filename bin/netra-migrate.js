#!/usr/bin/env node
// The CLI is bundled by scripts/build.mjs (run by npm's `prepare`), so start-up reads one file.
import '../dist/cli.js';
