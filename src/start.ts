/** Entry point of `npm start`: all roles in one process. */
import { runProcess } from "./main.js";

await runProcess("all");
