// The one set of Ajv options: argument validation and the precompiled meta-schema check agree.
export const AJV_OPTIONS = { allErrors: true, strict: false, validateFormats: true } as const;
