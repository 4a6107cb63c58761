// k6 run loadtest/k6/steady.ts: the "steady" scenario of ../scenarios.ts (see ../README.md).
import { k6Script } from "./script.ts";

const script = k6Script("steady");
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
