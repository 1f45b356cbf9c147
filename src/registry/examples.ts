// The example tools, embedded in the binary: served when the default ./tools directory does not exist,
// so a freshly copied binary works on first try (the log says how to point it at real tools).
import { existsSync } from 'node:fs';
import crm from '../../tools/crm.yaml' with { type: 'text' };
import inventory from '../../tools/inventory.yaml' with { type: 'text' };
import issueTracker from '../../tools/issue-tracker.yaml' with { type: 'text' };
import { settingDefault } from '../config/settings.ts';

export const EXAMPLE_TOOL_FILES: Readonly<Record<string, string>> = {
  'issue-tracker.yaml': issueTracker as unknown as string,
  'crm.yaml': crm as unknown as string,
  'inventory.yaml': inventory as unknown as string,
};

/** True when the tools dir is the default one and it does not exist: the examples are served instead. */
export const servesBuiltInExamples = (toolsDir: string): boolean => toolsDir === settingDefault('toolsDir') && !existsSync(toolsDir);
