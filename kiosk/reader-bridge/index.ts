// The ID-card reader bridge: the program on the kiosk PC that reads 二代证 cards from a SAM reader on a
// serial port and posts them to the appliance as the kiosk's reader (device K1.reader, its own token).
// It never runs on the appliance, never keeps a card or photo on disk, and never logs a token.
export { main, readConfig, type BridgeConfig } from './main.ts';
export { createBridge, cardPost, BRIDGE_VERSION, type BridgeOptions } from './bridge.ts';
export { createApplianceClient, pair, loadCredentials, saveCredentials, type ApplianceClient, type Credentials } from './appliance.ts';
export { openSerial, ReaderGone, NoAnswer, type Link } from './serial.ts';
export { createSamReader, ReaderFault, type ReadOutcome } from './reader.ts';
export { decodeBaseInfo, decodeText, CardProblem, CARD_TYPE_WORDS, type DecodedCard, type CardText, type CardType } from './card.ts';
export { encodeCommand, encodeReply, parseReply, parseCommand, FrameAssembler, FrameError, type Reply } from './frame.ts';
export { commandDecoder, type WltDecoder } from './photo-decoder.ts';
