import { createLogger } from '../../../shared/log';

export const log = createLogger('commerce-authority');
