import type { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { PROD, type Synthesized, synthesize } from './support/synth';

// cdk-nag AwsSolutionsChecks runs at synth; a new unacknowledged finding fails here, by name.
const targets = [{ stage: 'dev', target: 'aws' }, PROD, { stage: 'dev', target: 'localstack' }] as const;

const synthesized = new Map<string, Synthesized>();
beforeAll(() => {
  for (const t of targets) synthesized.set(`${t.stage}/${t.target}`, synthesize(t));
});

function acknowledgements(app: App): Array<{ path: string; id: string; reason: string }> {
  const out: Array<{ path: string; id: string; reason: string }> = [];
  const visit = (c: IConstruct) => {
    for (const entry of c.node.metadata) {
      if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
      // Data is { "<namespace>::<rule id>": reason }; CDK acknowledges some of its own checks the same way.
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        if (id.includes('AwsSolutions-')) out.push({ path: c.node.path, id, reason });
      }
    }
    for (const child of c.node.children) visit(child);
  };
  visit(app);
  return out;
}

describe.each(targets)('$stage stage, $target target', ({ stage, target }) => {
  const get = () => synthesized.get(`${stage}/${target}`)!;

  it('has no unacknowledged AwsSolutions finding', () => {
    const report = get().nag.validateScope(get().app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.resourceLogicalId}`),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('has no error annotation', () => {
    expect(Annotations.fromStack(get().stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges only findings that exist: each acknowledgement silences a finding under its construct', () => {
    // Re-run the pack with acknowledgements ignored (a private method of cdk-nag 3's NagPack) to see them all.
    const pack = Object.getPrototypeOf(Object.getPrototypeOf(get().nag)) as { isAcknowledged: unknown };
    const isAcknowledged = pack.isAcknowledged;
    pack.isAcknowledged = () => false;
    let findings: Array<{ rule: string; path: string }>;
    try {
      findings = get()
        .nag.validateScope(get().app)
        .violations.flatMap((v) =>
          v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath! })),
        );
    } finally {
      pack.isAcknowledged = isAcknowledged;
    }
    expect(findings.length).toBeGreaterThan(0);
    for (const ack of acknowledgements(get().app)) {
      const rule = ack.id.slice(ack.id.indexOf('AwsSolutions-'));
      const silenced = findings.some((f) => f.rule === rule && `${f.path}/`.startsWith(`${ack.path}/`));
      expect({ ...ack, silenced }).toEqual({ ...ack, silenced: true });
    }
  });

  it('gives every acknowledgement a real reason', () => {
    const acks = acknowledgements(get().app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect({ id: ack.id, reason: ack.reason }).toEqual({
        id: ack.id,
        reason: expect.stringMatching(/^.{40,}$/s),
      });
    }
  });
});
