/**
 * async-fixture-scope on Jest/Vitest test files: a top-level `beforeAll` whose holdings a top-level
 * `afterAll` releases is the remedy the message recommends, not a finding (issue 25, item 2).
 */
import '../src/index.js'; // the rule registry first: the rule modules import each other through it
import jsAsyncFixtureScope from '../src/runners/js/rules/async-fixture-scope.js';
import { RuleTester } from './support/rule-tester.js';

const tester = new RuleTester();

const PAYLOAD = (afterAll: string) =>
  `import { getPayload } from 'payload';\n\nlet payload;\n\n${afterAll}\n\nbeforeAll(async () => {\n  payload = await getPayload({ config });\n});\n\ntest('reads', async () => {\n  await payload.find({ collection: 'posts' });\n});\n`;

tester.run(jsAsyncFixtureScope, {
  valid: [
    {
      name: 'released in an afterAll before the beforeAll: an awaited method call on the binding',
      files: { 'src/int.test.ts': PAYLOAD('afterAll(async () => {\n  await payload.destroy();\n});') },
    },
    {
      name: 'released in an afterAll after the beforeAll: a plain method call (server started and kept)',
      files: {
        'src/server.test.js':
          "const http = require('http');\nlet server;\nbeforeAll(() => {\n  server = http.createServer();\n  server.listen(0);\n});\nafterAll(() => server.close());\ntest('x', () => {});\n",
      },
    },
    {
      name: 'released by assigning undefined, or null',
      files: {
        'src/a.test.ts': PAYLOAD('afterAll(() => {\n  payload = undefined;\n});'),
        'src/b.test.ts': PAYLOAD('afterAll(() => {\n  payload = null;\n});'),
      },
    },
    {
      name: 'released by passing it to a release function, or a method passed by reference',
      files: {
        'src/a.test.ts': PAYLOAD('afterAll(async () => {\n  await closeDb(payload);\n});'),
        'src/b.test.js': "let server;\nbeforeAll(() => {\n  server = app.listen(0);\n});\nafterAll(server.close);\ntest('x', () => {});\n",
      },
    },
  ],
  invalid: [
    {
      name: 'no afterAll: still held until the file ends',
      files: { 'src/int.test.ts': PAYLOAD('') },
      errors: [{ messageId: 'sharedSetup', data: { held: 'assigns `payload`' }, line: 7, column: 1, severity: 'warning' }],
    },
    {
      name: 'an afterAll that releases another binding, or only reads this one, releases nothing of it',
      files: {
        'src/a.test.ts': PAYLOAD('afterAll(async () => {\n  await other.destroy();\n});'),
        'src/b.test.ts': PAYLOAD("afterAll(() => {\n  console.log('done');\n});"),
      },
      errors: [
        { messageId: 'sharedSetup', file: 'src/a.test.ts', data: { held: 'assigns `payload`' }, line: 9 },
        { messageId: 'sharedSetup', file: 'src/b.test.ts', data: { held: 'assigns `payload`' }, line: 9 },
      ],
    },
    {
      name: 'what is released drops out; what is not stays in the finding',
      files: {
        'src/a.test.js':
          "let db;\nlet cache;\nbeforeAll(async () => {\n  db = await connect();\n  cache = new Map();\n});\nafterAll(() => db.close());\ntest('x', () => {});\n",
      },
      errors: [{ messageId: 'sharedSetup', data: { held: 'assigns `cache`' }, line: 3 }],
    },
  ],
});
