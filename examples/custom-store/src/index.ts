export { JsonFileStore, type JsonFileStoreOptions, openJsonFileStore } from "./json-file-store.js";
export { type StoreFile, emptyStoreFile } from "./store-file.js";
