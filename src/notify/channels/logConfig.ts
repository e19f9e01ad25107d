/** `log_configs` of a receiver: one log line per notification (log.ts); only the common keys. */
import type { Static } from 'typebox';
import type { IntegrationKind, ParsedIntegration } from '../../alerting/config.ts';
import { integrationBase, integrationSchema } from './integrationConfig.ts';

export const LogConfigSchema = integrationSchema({});

export interface LogIntegration extends ParsedIntegration {
  type: 'log';
}

export const LOG_KIND: IntegrationKind<LogIntegration, Static<typeof LogConfigSchema>> = {
  key: 'log_configs',
  schema: LogConfigSchema,
  parse: (c, path) => ({ type: 'log', ...integrationBase(c, path) }),
};
