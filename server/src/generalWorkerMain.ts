/** The entry of dist/general-worker.js: the general (dockerfile-utils) checks in a worker thread. */
import { runGeneralWorker } from './server/generalWorker';

runGeneralWorker();
