// Types of the generated meta-schema validator (an Ajv standalone ValidateFunction).
import type { ValidateFunction } from 'ajv';

declare const validate: ValidateFunction;
export default validate;
