// Load a Continue config.yaml with Continue's own parser and validator (@continuedev/config-yaml)
// and print what it understood as JSON. Usage: node continue_load.mjs PACKAGE_DIR CONFIG_FILE
// Exit 1 when the parser or the validator rejects the file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [packageDir, configFile] = process.argv.slice(2);
const configYaml = await import(pathToFileURL(join(packageDir, "dist", "index.js")).href);
const text = readFileSync(configFile, "utf8");
let config;
try {
  config = configYaml.parseConfigYaml(text);
} catch (error) {
  console.error(`parseConfigYaml: ${error.message}`);
  process.exit(1);
}
const problems = configYaml.validateConfigYaml(config);
const fatal = problems.filter((problem) => problem.fatal);
if (fatal.length) {
  console.error(`validateConfigYaml: ${fatal.map((problem) => problem.message).join("; ")}`);
  process.exit(1);
}
console.log(JSON.stringify({
  name: config.name,
  models: config.models ?? [],
  warnings: problems.map((problem) => problem.message),
  templateVariables: configYaml.getTemplateVariables(text),
}));
