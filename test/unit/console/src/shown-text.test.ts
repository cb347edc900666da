import { shownText } from '../../../../console/src/shown-text';

describe('shownText', () => {
  it('keeps line breaks and tabs (the error pods see) and escapes every other control and bidi override', () => {
    const text = 'caused by: AccessDenied\n\tstatus code: 403\u202Egnp.exe\u001b[31m';
    const shown = shownText(text);
    expect(shown.startsWith('caused by: AccessDenied\n\tstatus code: 403')).toBe(true);
    expect(shown).not.toContain('\u202E');
    expect(shown).not.toContain('\u001b');
    expect(shown).toContain('status code: 403\\u{202e}gnp.exe\\e[31m');
  });
});
