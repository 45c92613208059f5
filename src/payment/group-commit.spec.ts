import { GroupCommit } from './group-commit.js';

describe(GroupCommit.name, () => {
  function recorder(options = { maxInFlight: 1, maxSize: 100 }) {
    const groups: number[][] = [];
    const commit = new GroupCommit<number, number>(async (items) => {
      groups.push(items);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (items.includes(13)) throw new Error('13 is refused');
      return items.map((item) => item * 10);
    }, options);
    return { groups, commit };
  }

  it('gives concurrent items one flush and each caller its own result', async () => {
    const { groups, commit } = recorder();
    await expect(Promise.all([1, 2, 3].map((item) => commit.add(item)))).resolves.toEqual([10, 20, 30]);
    expect(groups).toEqual([[1, 2, 3]]);
  });

  it('gathers items that arrive while the flushes in flight run, up to maxSize', async () => {
    const { groups, commit } = recorder({ maxInFlight: 1, maxSize: 2 });
    const first = commit.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(Promise.all([first, ...[2, 3, 4].map((item) => commit.add(item))])).resolves.toEqual([10, 20, 30, 40]);
    expect(groups).toEqual([[1], [2, 3], [4]]);
  });

  it('retries a failed group item by item, so only the bad item fails', async () => {
    const { groups, commit } = recorder();
    const results = await Promise.allSettled([12, 13, 14].map((item) => commit.add(item)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([120, '13 is refused', 140]);
    expect(groups).toEqual([[12, 13, 14], [12], [13], [14]]);
  });

  it('reports drained once everything added has been flushed', async () => {
    const { commit } = recorder({ maxInFlight: 2, maxSize: 1 });
    const settled: number[] = [];
    for (const item of [1, 2, 3]) void commit.add(item).then((result) => settled.push(result));
    await commit.drained();
    expect(settled.sort()).toEqual([10, 20, 30]);
    await expect(commit.drained()).resolves.toBeUndefined();
  });
});
