/** Entry point of `npm start`: all roles in one process. */
import { runProcess } from "./main.js";

process.exit(await runProcess("all"));
