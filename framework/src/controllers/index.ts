/**
 * Base class for controllers. It carries no behaviour today; extending it keeps the
 * Masonite shape and gives the framework one place to add controller helpers later.
 */
export abstract class Controller {}
