/**
 * Docker Compose and CI fixes read back by the two YAML loaders users run them through: the `yaml` package
 * and Python's PyYAML (in the test venv as a dependency of pre-commit). Both must load every fixed file to
 * the same structure, with the limits and the monitor's environment in place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { listFiles, RULE_FIXTURES } from './support/cases.js';
import { pythonAvailable, runPython } from './support/env.js';

const LOAD = 'import json, sys, yaml\nprint(json.dumps([list(yaml.safe_load_all(t)) for t in json.load(sys.stdin)]))\n';
/** Every document of a YAML text, as plain data (a Compose file may hold several). */
const loadAll = (text: string, version: '1.1' | '1.2' = '1.2') => parseAllDocuments(text, { version, merge: true }).map((d) => d.toJS());

test(
  'fixed Compose files load to the same structure in yaml and PyYAML, limits and environment in place',
  { skip: pythonAvailable() },
  () => {
    const dir = join(RULE_FIXTURES, 'require-memory-limit');
    const files = listFiles(dir).filter((f) => /\/output\/.*(compose|docker-compose)[^/]*\.ya?ml$/.test(f));
    assert.ok(files.length >= 3, files.join(', '));
    const texts = files.map((f) => readFileSync(join(dir, f), 'utf8'));
    const r = runPython(['-c', LOAD], { input: JSON.stringify(texts) });
    assert.equal(r.code, 0, r.stderr);
    const python = JSON.parse(r.stdout) as unknown[];
    texts.forEach((text, i) => {
      const docs = loadAll(text) as {
        services: Record<string, { command?: unknown; entrypoint?: unknown; deploy?: any; mem_limit?: string; environment?: unknown }>;
      }[];
      assert.deepEqual(docs, python[i], files[i]);
      for (const [name, service] of docs.flatMap((d) => Object.entries(d.services))) {
        const command = JSON.stringify([service.entrypoint, service.command]);
        if (!/pytest|py\.test|vitest|jest/.test(command)) continue;
        assert.ok(service.deploy?.resources?.limits?.memory ?? service.mem_limit, `${files[i]}: ${name} has a memory limit`);
        if (/pytest|py\.test/.test(command)) {
          const env = JSON.stringify(service.environment);
          assert.match(env, /PYTEST_MEMORY_LIMIT_MB/, `${files[i]}: ${name}`);
          assert.match(env, /PYTEST_COLLECTION_LIMIT_MB/, `${files[i]}: ${name}`);
        }
      }
    });
  },
);

test(
  'fixed CI files load alike in yaml and PyYAML, every pytest step or job with both limits sized by the runner (auto)',
  { skip: pythonAvailable() },
  () => {
    const dir = join(RULE_FIXTURES, 'require-memory-limit');
    const files = listFiles(dir).filter((f) => /\/output\/(\.github\/workflows\/[^/]+|\.gitlab-ci)\.ya?ml$/.test(f));
    assert.equal(files.length, 4, files.join(', '));
    const texts = files.map((f) => readFileSync(join(dir, f), 'utf8'));
    const r = runPython(['-c', LOAD], { input: JSON.stringify(texts) });
    assert.equal(r.code, 0, r.stderr);
    const python = JSON.parse(r.stdout) as unknown[];
    texts.forEach((text, i) => {
      // PyYAML speaks YAML 1.1 (`on:` is true there): compare in 1.1, read the structure in 1.2 as GitHub does.
      assert.deepEqual(loadAll(text, '1.1'), python[i], files[i]);
      const js = parse(text) as Record<string, any>;
      const scoped: [string, Record<string, string>][] = files[i]!.includes('.github')
        ? Object.values(js.jobs as Record<string, any>).flatMap((job) =>
            (job.steps as any[]).map((s) => [String(s.run ?? ''), { ...js.env, ...job.env, ...s.env }] as [string, Record<string, string>]),
          )
        : Object.entries(js)
            .filter(([, j]) => j && typeof j === 'object' && 'script' in j)
            .map(([, j]) => [JSON.stringify(j.script), { ...js.variables, ...j.variables }] as [string, Record<string, string>]);
      const pytestRuns = scoped.filter(([run]) => /pytest/.test(run) && !/^pip install [^\n]*$/.test(run));
      assert.ok(pytestRuns.length > 0);
      for (const [run, env] of pytestRuns) {
        if (/docker (compose )?(run|exec)/.test(run)) {
          // A container sees no step env: the variables go in as -e flags (the job's value, else auto), or the
          // service sets them, or (a folded `>-` command) nothing is written.
          if (/-e PYTEST/.test(run)) {
            const value = (name: string) => (env[name] ? `\\$${name}` : 'auto');
            assert.match(
              run,
              new RegExp(
                `(run|exec) -e PYTEST_MEMORY_LIMIT_MB=${value('PYTEST_MEMORY_LIMIT_MB')} -e PYTEST_COLLECTION_LIMIT_MB=${value('PYTEST_COLLECTION_LIMIT_MB')} `,
              ),
              run,
            );
          } else assert.match(run, /exec -T worker|\n|compose run django pytest tests\/slow/, run);
          continue;
        }
        // Not the Compose default's 409/204: a hosted runner has gigabytes, the monitor reads how many.
        assert.equal(env.PYTEST_MEMORY_LIMIT_MB, 'auto', run);
        assert.equal(env.PYTEST_COLLECTION_LIMIT_MB, 'auto', run);
      }
    });
  },
);
