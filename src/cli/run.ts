// Entry point of the `levy` command (bin/levy.js). Tests import runCli from main.ts instead.
import { runCli } from './main.ts';

const code = await runCli(process.argv.slice(2));
// `serve` keeps the process alive with its server; every other command ends here.
if (process.argv[2] !== 'serve' || code !== 0) process.exit(code);
