// The Compose side of `single-test-root` shares its command reading with the CI side (ci/rules/single-test-root.ts).
export { composeSingleTestRoot as default } from '../../ci/rules/single-test-root.js';
