import { PatternError, readIgnoreFile } from '../../../compiler/patterns/index.js';
import { thrownBy } from '../../support/errors.js';
import { READ_ALL } from './upstream-cases.js';

describe('readIgnoreFile (ignorefile.ReadAll)', () => {
  it('upstream TestReadAll', () => {
    expect(readIgnoreFile(READ_ALL.content)).toEqual(READ_ALL.expected);
    expect(readIgnoreFile('')).toEqual([]);
  });

  it.each([
    ['CRLF line ends', 'a\r\nb/\r\n', ['a', 'b']],
    ['one CR dropped, the rest trimmed', 'a\r\r\n', ['a']],
    ['a bare CR stays inside a pattern', 'a\rb\n', ['a\rb']],
    ['BOM on the first line only', '\ufeffa\n\ufeffb', ['a', '\ufeffb']],
    ['BOM before a comment', '\ufeff# c\nx', ['x']],
    ['comments only at column 1', '#a\n  # b\n\t#c', ['# b', '#c']],
    ['no trailing newline, blank lines', '\n\n a \n\n\tb', ['a', 'b']],
    ['Unicode spaces trimmed', '\u00a0x\u0085\n\u3000', ['x']],
    ['cleaned paths', './a/\nb//c/./d/..\n.\n./\n../up\na/../../out', ['a', 'b/c', '.', '.', '../up', '../out']],
    ['leading slash removed once, a bare root kept', '/a\n//b\n/\n/../c\n/./', ['a', 'b', '/', 'c', '/']],
    ['exceptions keep "!" and are cleaned after it', '!/a/\n!  ./b\n! c/../d\n!!e', ['!a', '!b', '!d', '!!e']],
    ['a "!" inside a line is not an exception', 'a!b\n  !x', ['a!b', '!x']],
    ['wildcards kept as written', '**/*.log\n[a-z]?\n\\#x', ['**/*.log', '[a-z]?', '\\#x']],
  ] as const)('%s', (_name, text, want) => {
    expect(readIgnoreFile(text)).toEqual(want);
  });

  it('reads bytes as UTF-8, with or without a BOM', () => {
    expect(readIgnoreFile(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x0a, 0xc3, 0xa9]))).toEqual(['a', 'é']);
  });

  it('refuses a line bufio.Scanner cannot hold (64 KiB with its newline)', () => {
    expect(readIgnoreFile(`${'x'.repeat(65535)}\ny`)).toEqual(['x'.repeat(65535), 'y']);
    expect(readIgnoreFile('x'.repeat(65535))).toHaveLength(1);
    expect(thrownBy(PatternError, () => readIgnoreFile(`a\n${'x'.repeat(65536)}`)).code).toBe('line-too-long');
    expect(thrownBy(PatternError, () => readIgnoreFile(`${'é'.repeat(32768)}\n`)).code).toBe('line-too-long');
  });
});
