// Shared set-up for a test file that fails each test, instead of cancelling them, when it cannot be done.
//
// node:test cancels every test of a suite whose `before` hook throws and reports "fail 0"; a missing server
// build or browser should read as what it is, a failure of every test, each carrying the message that says what
// to run.

export function sharedSetup(setUp) {
  let failure = null;
  return {
    /** For `before`: runs the set-up and remembers its error. */
    run: async () => {
      try {
        await setUp();
      } catch (error) {
        failure = error;
      }
    },
    /** Throws the set-up's error, if there was one. Call first in every test. */
    check: () => {
      if (failure) throw failure;
    },
  };
}
