import { onColdStart } from '../../lambdas/shared/cold-start';

describe('onColdStart', () => {
  it('builds once and shares the result, even between concurrent first calls', async () => {
    let builds = 0;
    const get = onColdStart(async () => ({ n: ++builds }));
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(builds).toBe(1);
  });

  it('forgets a failed build so the next invocation tries again', async () => {
    let calls = 0;
    const get = onColdStart(async () => {
      if (++calls === 1) throw new Error('secret read failed');
      return 'ready';
    });
    await expect(get()).rejects.toThrow('secret read failed');
    expect(await get()).toBe('ready');
    expect(calls).toBe(2);
  });
});
