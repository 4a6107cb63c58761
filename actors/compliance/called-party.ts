// Where the called party probably is: candidate states and IANA zones from the area code, the ZIP
// code and the stated state, from versioned data. Unknown means every zone that could apply.
import data from "./data/area-codes.json" with { type: "json" };

interface StateEntry {
  zones: string[];
  npas: string;
  npaZones?: Record<string, string[]>;
}

const STATES = data.states as Record<string, StateEntry>;
const STATE_ZONES = data.stateZones as Record<string, string[]>;
const ZIP3_ZONES = data.zip3Zones as Record<string, string[]>;

const NPA = new Map<string, { state: string; zones: string[] }>();
for (const [state, entry] of Object.entries(STATES)) {
  for (const npa of entry.npas.split(" "))
    NPA.set(npa, { state, zones: entry.npaZones?.[npa] ?? entry.zones });
}

const ZIP3 = new Map<string, string>();
for (const range of data.zip3.split(";")) {
  const [span, state] = range.split(" ") as [string, string];
  const [from, to = from] = span.split("-").map(Number) as [number, number?];
  for (let z = from; z <= to; z++) ZIP3.set(String(z).padStart(3, "0"), state);
}

export const AREA_CODES_VERSION = data.version;

/** The state and zones of a NANP area code, or undefined when the table does not know it. */
export function areaCodeInfo(npa: string): { state: string; zones: string[] } | undefined {
  return NPA.get(npa);
}

/** The state and zones of a 5-digit ZIP code (by its 3-digit prefix). */
export function zipInfo(zip: string): { state: string; zones: string[] } | undefined {
  const z3 = zip.slice(0, 3);
  const state = ZIP3.get(z3);
  if (!state) return undefined;
  return { state, zones: ZIP3_ZONES[z3] ?? STATES[state]?.zones ?? data.fallbackZones };
}

export interface CalledParty {
  states: string[];
  zones: string[];
}

/**
 * Every state whose law may apply and every zone the called party may be in. Sources are combined,
 * not chosen between (a number keeps its area code when its owner moves): the most restrictive reading.
 */
export function calledParty(facts: { areaCode?: string; zip?: string; state?: string }): CalledParty {
  const states = new Set<string>();
  const zones = new Set<string>();
  const npa = facts.areaCode ? areaCodeInfo(facts.areaCode) : undefined;
  const zip = facts.zip ? zipInfo(facts.zip) : undefined;
  for (const found of [npa, zip]) {
    if (!found) continue;
    states.add(found.state);
    for (const z of found.zones) zones.add(z);
  }
  const stated = facts.state?.toUpperCase();
  if (stated) {
    states.add(stated);
    if (!zip) for (const z of STATE_ZONES[stated] ?? STATES[stated]?.zones ?? []) zones.add(z);
  }
  if (zones.size === 0) for (const z of data.fallbackZones) zones.add(z);
  return { states: [...states].sort(), zones: [...zones].sort() };
}
