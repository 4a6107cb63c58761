// Whether a routing instruction must ask for a recording disclosure, from versioned data.
import rules from "./data/recording-consent.json" with { type: "json" };

const ALL_PARTY: ReadonlySet<string> = new Set(rules.allPartyStates);

/** True when the caller's state requires all-party consent, or when the state is unknown (play it safe). */
export function recordingDisclosureRequired(callerState: string | undefined): boolean {
  return callerState === undefined || ALL_PARTY.has(callerState.toUpperCase());
}

export const RECORDING_RULES_VERSION = rules.version;
