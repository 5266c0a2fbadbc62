// Jest 30 reads `testTimeout` only from the top-level configuration, not from a project: the e2e project
// sets its default (hooks included) here. Starting a platform on a busy 2-core machine can take > 5 s.
import { jest } from '@jest/globals';

jest.setTimeout(60_000);
