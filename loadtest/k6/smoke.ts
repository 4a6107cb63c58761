// k6 run loadtest/k6/smoke.ts: the "smoke" scenario of ../scenarios.ts (see ../README.md).
import { k6Script } from "./script.ts";

const script = k6Script("smoke");
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
