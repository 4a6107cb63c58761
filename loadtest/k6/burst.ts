// k6 run loadtest/k6/burst.ts: the "burst" scenario of ../scenarios.ts (see ../README.md).
import { k6Script } from "./script.ts";

const script = k6Script("burst");
export const options = script.options;
export const setup = script.setup;
export default script.iteration;
