// Namespace import (not the `z` export): esbuild then drops the parts of zod we do not use, e.g. its locales.
import * as z from 'zod';
import { RISK_LEVELS, RISK_RULE_NAMES } from '../domain/risk';
import { defineEvent } from './contract';

/**
 * The risk worker screened a PENDING payment (docs/architecture.md, "Risk screening"). Consumed by the
 * payment worker, which charges only an `allow`; it re-reads the stored assessment rather than trust a copy.
 */
export const RiskAssessed = defineEvent('riskWorker', 'RiskAssessed', {
  risk: z.object({
    score: z.number().int().min(0).max(100),
    level: z.enum(RISK_LEVELS),
    outcome: z.enum(['allow', 'block']),
    reasons: z.array(z.object({ rule: z.enum(RISK_RULE_NAMES), score: z.number().int() })),
    rules_version: z.string().min(1),
    assessed_at: z.string().datetime(),
  }),
});
export type RiskAssessedDetail = z.infer<typeof RiskAssessed.schema>;
