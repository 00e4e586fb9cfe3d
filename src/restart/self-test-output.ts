/**
 * How `npm start -- --self-test` starts its one line, and how the bridge
 * (./run-self-test.ts) reads it back. Its own module: the bridge must not
 * load the self-test, which loads the bridge.
 */
export const SELF_TEST_PASSED = 'self-test passed: ';
export const SELF_TEST_FAILED = 'self-test failed: ';
