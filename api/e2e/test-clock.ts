// The compliance tests' clock: a fixed instant the test sets and advances, injected into an API
// replica as its `now`. Only test code reads DCE_TEST_CLOCK_AT; the production API's clock is Date.now.

/**
 * The instant the compliance tests run at: fixed, never the wall clock. DCE_TEST_CLOCK_AT (ISO 8601)
 * moves it, to show the tests pass at any hour. 2026-07-15 16:00 UTC is a Wednesday noon in New York.
 */
export function baseInstant(env: Record<string, string | undefined> = process.env): number {
  const raw = env.DCE_TEST_CLOCK_AT ?? "2026-07-15T16:00:00Z";
  const at = Date.parse(raw);
  if (!/^\d{4}-\d\d-\d\dT/.test(raw) || Number.isNaN(at))
    throw new Error(`DCE_TEST_CLOCK_AT: not an instant: ${raw}`);
  return at;
}

/** The API's clock in these tests: it stands still until a test sets or advances it. */
export class TestClock {
  at = baseInstant();
  readonly now = () => this.at;
  set(iso: string) {
    this.at = Date.parse(iso);
  }
  advance(ms: number) {
    this.at += ms;
  }
}
