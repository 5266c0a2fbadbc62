/**
 * A Jest reporter that appends every failed test (and every test file that failed to run) to
 * test/artifacts/failed-tests.txt, with the first lines of its message. CI keeps only the end of a long log,
 * and `npm test` runs several Jest projects and the fault tests one after another, so a failure early in the
 * run scrolls out of sight; `.ci/run` prints this file last when the tests fail.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const FAILURES_FILE = path.join(ROOT, 'test/artifacts/failed-tests.txt');
const MESSAGE_LINES = 12;

// Jest's messages are coloured; the file is read as plain text.
// eslint-disable-next-line no-control-regex
const plain = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');
// The message and our own stack frames; Jest's and other packages' frames say nothing here.
const head = (s) => plain(s).split('\n').filter((l) => !/^\s*at .*(node_modules|<anonymous>)/.test(l)).slice(0, MESSAGE_LINES).map((l) => `    ${l}`).join('\n');

export default class FailuresReporter {
  onRunComplete(_contexts, results) {
    const lines = [];
    for (const file of results.testResults) {
      const where = path.relative(ROOT, file.testFilePath);
      if (file.testExecError) lines.push(`✕ ${where} (did not run)\n${head(file.testExecError.message ?? String(file.testExecError))}`);
      for (const test of file.testResults) {
        if (test.status === 'failed') lines.push(`✕ ${where} › ${test.fullName}\n${head(test.failureMessages.join('\n'))}`);
      }
    }
    if (!lines.length) return;
    mkdirSync(path.dirname(FAILURES_FILE), { recursive: true });
    appendFileSync(FAILURES_FILE, `${new Date().toISOString()} jest ${process.argv.slice(2).join(' ')}: ${lines.length} failed\n${lines.join('\n')}\n\n`);
  }
}
