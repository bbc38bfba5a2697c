import { defaultRoot } from '../../../runtime/cache/index.js';

describe('defaultRoot', () => {
  it('is /var/lib/kiln for root and under XDG_DATA_HOME for others', () => {
    expect(defaultRoot({ XDG_DATA_HOME: '/x' }, 0)).toBe('/var/lib/kiln');
    expect(defaultRoot({ XDG_DATA_HOME: '/x/data', HOME: '/home/u' }, 1000)).toBe('/x/data/kiln');
    expect(defaultRoot({ HOME: '/home/u' }, 1000)).toBe('/home/u/.local/share/kiln');
    // A relative XDG_DATA_HOME is invalid by the XDG spec and ignored.
    expect(defaultRoot({ XDG_DATA_HOME: 'rel', HOME: '/home/u' }, 1000)).toBe('/home/u/.local/share/kiln');
  });
});
