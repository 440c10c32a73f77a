import { describe, expect, it } from '@jest/globals';
import { replaceSection } from '../src/benchmarkSection.ts';

describe('replaceSection (the benchmark writes only its own section of docs/benchmarks.md)', () => {
  const doc = '# Benchmarks\n\n## Store\n\nstore table\n\n## Command gateway\n\nold\n\n### detail\n\nold detail\n\n## Read model\n\nread table\n';

  it('replaces its section up to the next level-2 heading, keeping the others', () => {
    expect(replaceSection(doc, '## Command gateway', '## Command gateway\n\nnew\n')).toBe(
      '# Benchmarks\n\n## Store\n\nstore table\n\n## Command gateway\n\nnew\n\n## Read model\n\nread table\n',
    );
  });

  it('replaces a last section to the end of the file', () => {
    const last = '# Benchmarks\n\n## Store\n\nstore\n\n## Command gateway\n\nold\n';
    expect(replaceSection(last, '## Command gateway', '## Command gateway\n\nnew')).toBe('# Benchmarks\n\n## Store\n\nstore\n\n## Command gateway\n\nnew\n');
  });

  it('appends the section when the document has none', () => {
    expect(replaceSection('# Benchmarks\n\n## Store\n\nstore\n', '## Command gateway', '## Command gateway\n\nnew\n')).toBe(
      '# Benchmarks\n\n## Store\n\nstore\n\n## Command gateway\n\nnew\n',
    );
  });

  it('is stable when run twice', () => {
    const once = replaceSection(doc, '## Command gateway', '## Command gateway\n\nnew\n');
    expect(replaceSection(once, '## Command gateway', '## Command gateway\n\nnew\n')).toBe(once);
  });
});
