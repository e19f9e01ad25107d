/** `email_configs` of a receiver: SMTP through nodemailer (email.ts). */
import { Type, type Static } from 'typebox';
import { NonEmpty, strict, type IntegrationKind, type ParsedIntegration } from '../../alerting/config.ts';
import { integrationBase, integrationSchema } from './integrationConfig.ts';

/** Domain part of Message-ID when `message_id_domain` is unset. */
export const EMAIL_DEFAULT_MESSAGE_ID_DOMAIN = 'txmon.local';

export const EmailConfigSchema = integrationSchema({
  to: Type.Union([NonEmpty, Type.Array(NonEmpty, { minItems: 1 })]),
  from: NonEmpty,
  host: NonEmpty,
  /** Default 465 when secure, else 587. */
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  /** TLS from the first byte (port 465). Default false. */
  secure: Type.Optional(Type.Boolean()),
  /** Fail unless STARTTLS succeeds. Default false. */
  require_tls: Type.Optional(Type.Boolean()),
  auth: Type.Optional(Type.Object({ user: Type.String(), pass: Type.String() }, strict)),
  /** Name sent in EHLO. */
  hello: Type.Optional(Type.String()),
  /** Domain part of Message-ID. Default "txmon.local". */
  message_id_domain: Type.Optional(NonEmpty),
});

export interface EmailIntegration extends ParsedIntegration {
  type: 'email';
  to: string[];
  from: string;
  host: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  auth?: { user: string; pass: string };
  hello?: string;
  messageIdDomain: string;
}

export const EMAIL_KIND: IntegrationKind<EmailIntegration, Static<typeof EmailConfigSchema>> = {
  key: 'email_configs',
  schema: EmailConfigSchema,
  parse: (c, path) => {
    const secure = c.secure ?? false;
    return {
      type: 'email',
      ...integrationBase(c, path),
      to: typeof c.to === 'string' ? c.to.split(',').map((s) => s.trim()).filter(Boolean) : [...c.to],
      from: c.from,
      host: c.host,
      port: c.port ?? (secure ? 465 : 587),
      secure,
      requireTls: c.require_tls ?? false,
      auth: c.auth,
      hello: c.hello,
      messageIdDomain: c.message_id_domain ?? EMAIL_DEFAULT_MESSAGE_ID_DOMAIN,
    };
  },
};
